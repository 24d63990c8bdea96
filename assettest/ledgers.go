package assettest

import (
	"crypto/sha256"
	"net/http"
)

// Ledgers. Every business has the same small chart of accounts, which the
// API's ledger routes only read: its ids are derived from the business id
// and the ledger's name, so they are stable without being state, and the
// same after a restart.

// chart is every business's chart of accounts.
var chart = []struct{ name, typ, subtype, special, account, debitCredit, sortCode string }{
	{"Checking", "asset", "current_asset", "", "bank_account", "debit", "1000"},
	{"Accounts Receivable", "asset", "current_asset", "", "accounts_receivable", "debit", "1200"},
	{"Uncategorized Inflow", "revenue", "other_inflow", "uncategorized_inflow", "", "credit", "4900"},
	{"Sales", "revenue", "operating_revenue", "", "", "credit", "4000"},
	{"Services", "revenue", "operating_revenue", "", "", "credit", "4100"},
	{"Uncategorized Outflow", "expense", "other_outflow", "uncategorized_outflow", "", "debit", "6900"},
}

// wireLedger is a ledger as the API sends it.
type wireLedger struct {
	ID                   string  `json:"id"`
	BusinessID           string  `json:"business_id"`
	Name                 string  `json:"name"`
	Type                 string  `json:"type"`
	Subtype              string  `json:"subtype"`
	SpecialLedgerType    *string `json:"special_ledger_type"`
	FinancialAccountType *string `json:"financial_account_type"`
	DebitCredit          string  `json:"debit_credit"`
	SortCode             string  `json:"sort_code"`
	Editable             bool    `json:"editable"`
	ReportCashFlow       bool    `json:"report_cash_flow"`
	ParentID             *string `json:"parent_id"`
}

// ledgers is a business's chart as sent.
func ledgers(biz string) []wireLedger {
	out := make([]wireLedger, len(chart))
	for i, l := range chart {
		sum := sha256.Sum256([]byte(biz + "/" + l.name))
		id := make([]byte, 22)
		for j := range id {
			id[j] = idAlphabet[int(sum[j])%len(idAlphabet)]
		}
		out[i] = wireLedger{ID: "ldg_" + string(id), BusinessID: biz, Name: l.name, Type: l.typ, Subtype: l.subtype,
			SpecialLedgerType: nullable(l.special), FinancialAccountType: nullable(l.account), DebitCredit: l.debitCredit,
			SortCode: l.sortCode, Editable: l.special == "", ReportCashFlow: l.account == "bank_account"}
	}
	return out
}

// listLedgers is GET /ledger: the whole chart, without pages, as the docs
// show it.
func (s *Server) listLedgers(c *call) response {
	return jsonResponse(http.StatusOK, map[string]any{"data": ledgers(c.business)})
}

// getLedger is GET /ledger/{ledger_id}.
func (s *Server) getLedger(c *call) response {
	for _, l := range ledgers(c.business) {
		if l.ID == c.param("ledger_id") {
			return dataResponse(http.StatusOK, l)
		}
	}
	return detail(http.StatusNotFound, "Ledger not found")
}
