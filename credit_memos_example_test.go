package asset_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// A credit memo credits a customer; a payment without a transaction draws
// on that credit to pay the customer's invoice.
func ExampleCreditMemoService_Create() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	memos, err := client.CreditMemos.Create(ctx, "biz_example", []asset.CreditMemoCreate{
		{CustomerID: "cus_example", Number: "CM-001", Amount: asset.MustDecimal("50.00"), Memo: "Returned tiles"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("credited", memos[0].Number, memos[0].Amount)

	invs, err := client.Invoices.Create(ctx, "biz_example", []asset.InvoiceCreate{
		{Number: "INV-1", CustomerID: "cus_example", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("50.00")}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	inv, err := client.Payments.Apply(ctx, "biz_example", asset.InvoicePaymentCreate{
		InvoiceID: invs[0].ID, PaymentAmount: asset.MustDecimal("50.00"), // no TransactionID: from the credit
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(inv.Number, inv.Status, "paid from", memoNumber(memos, inv.Payments[0].CreditMemoID))
	// Output:
	// credited CM-001 50.00
	// INV-1 paid paid from CM-001
}

func memoNumber(memos []asset.CreditMemo, id string) string {
	for _, m := range memos {
		if m.ID == id {
			return m.Number
		}
	}
	return "?"
}

// A batch whose outcome is unknown can be sent again as it was: numbers are
// unique per business, so a memo the lost attempt created comes back as a
// failure instead of crediting the customer twice.
func ExampleCreditMemoService_FindByNumbers() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	batch := []asset.CreditMemoCreate{{CustomerID: "cus_example", Number: "CM-001", Amount: asset.MustDecimal("50.00")}}

	srv.DropNext(assettest.RouteCreateCreditMemos, 1, assettest.DropAfterApply) // the answer is lost
	_, err := client.CreditMemos.Create(ctx, "biz_example", batch)
	if errors.Is(err, asset.ErrOutcomeUnknown) {
		found, err := client.CreditMemos.FindByNumbers(ctx, "biz_example", "cus_example", []string{"CM-001"})
		if err != nil {
			fmt.Println("still unknown:", err)
			return
		}
		memo, ok := found["CM-001"]
		fmt.Println("CM-001 exists:", ok, memo.Amount) // if not, send it again
	}
	// Output:
	// CM-001 exists: true 50.00
}

func ExampleCreditMemoService_Get() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	memos, err := client.CreditMemos.Create(ctx, "biz_example", []asset.CreditMemoCreate{
		{CustomerID: "cus_example", Number: "CM-001", Amount: asset.MustDecimal("12.50")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := client.CreditMemos.Get(ctx, "biz_example", memos[0].ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Number, m.CustomerID, m.Amount, "voided:", m.Voided)
	// Output:
	// CM-001 cus_example 12.50 voided: false
}

// Voiding a memo takes what is left of its credit back; a second void is
// refused.
func ExampleCreditMemoService_Void() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	memos, err := client.CreditMemos.Create(ctx, "biz_example", []asset.CreditMemoCreate{
		{CustomerID: "cus_example", Number: "CM-001", Amount: asset.MustDecimal("20.00")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := client.CreditMemos.Void(ctx, "biz_example", memos[0].ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	left, _ := srv.CreditRemaining("biz_example", "cus_example")
	fmt.Println(m.Number, "voided:", m.Voided, "credit left:", left)

	_, err = client.CreditMemos.Void(ctx, "biz_example", memos[0].ID)
	var apiErr *asset.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode)
	}
	// Output:
	// CM-001 voided: true credit left: 0
	// 422
}

// All walks every memo that matches, page after page.
func ExampleCreditMemoService_All() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	_, err := client.CreditMemos.Create(ctx, "biz_example", []asset.CreditMemoCreate{
		{CustomerID: "cus_acme", Number: "CM-001", Amount: asset.MustDecimal("10.00")},
		{CustomerID: "cus_globex", Number: "CM-002", Amount: asset.MustDecimal("20.00")},
		{CustomerID: "cus_acme", Number: "CM-003", Amount: asset.MustDecimal("30.00")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	active := false
	for m, err := range client.CreditMemos.All(ctx, "biz_example", &asset.CreditMemoListParams{CustomerID: "cus_acme", Voided: &active, PageSize: 1}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.Number, m.Amount)
	}
	// Output:
	// CM-001 10.00
	// CM-003 30.00
}

func ExampleCreditMemoService_List() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	memos, err := client.CreditMemos.Create(ctx, "biz_example", []asset.CreditMemoCreate{
		{CustomerID: "cus_acme", Number: "CM-001", Amount: asset.MustDecimal("10.00")},
		{CustomerID: "cus_acme", Number: "CM-002", Amount: asset.MustDecimal("20.00")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := client.CreditMemos.Void(ctx, "biz_example", memos[0].ID); err != nil {
		fmt.Println(err)
		return
	}
	voided := true
	page, err := client.CreditMemos.List(ctx, "biz_example", &asset.CreditMemoListParams{Voided: &voided})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range page.Data {
		fmt.Println(m.Number, "voided")
	}
	// Output:
	// CM-001 voided
}
