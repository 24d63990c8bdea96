package asset

// LedgerType is a ledger's place in the chart of accounts. Unknown values
// decode as themselves.
type LedgerType string

// The documented ledger types.
const (
	LedgerTypeAsset     LedgerType = "asset"
	LedgerTypeLiability LedgerType = "liability"
	LedgerTypeEquity    LedgerType = "equity"
	LedgerTypeRevenue   LedgerType = "revenue"
	LedgerTypeExpense   LedgerType = "expense"
)

// Ledger is an account of the business's chart of accounts (ids ldg_): an
// invoice line names the ledger its amount goes to. The text fields hold
// the documented values as the API sends them (Subtype "current_asset",
// DebitCredit "debit" ...), unknown ones included.
type Ledger struct {
	ID         string     `json:"id"`
	BusinessID string     `json:"business_id,omitempty"`
	Name       string     `json:"name"`
	Type       LedgerType `json:"type,omitempty"`
	Subtype    string     `json:"subtype,omitempty"`
	// SpecialLedgerType marks a ledger the API keeps itself
	// (uncategorized_inflow, opening_balances ...); the older docs only.
	SpecialLedgerType string `json:"special_ledger_type,omitempty"`
	// FinancialAccountType is set on ledgers of real-world accounts
	// (bank_account, credit_card ...).
	FinancialAccountType string `json:"financial_account_type,omitempty"`
	DebitCredit          string `json:"debit_credit,omitempty"`
	// SortCode groups and sorts ledgers in reports.
	SortCode string `json:"sort_code,omitempty"`
	// Editable says whether lines may be added or removed by hand.
	Editable       bool `json:"editable,omitempty"`
	ReportCashFlow bool `json:"report_cash_flow,omitempty"`
	// ParentID is the ledger this one is a child of in the chart.
	ParentID string `json:"parent_id,omitempty"`
}

// checkDecoded tells a ledger the API sent from the zero value an empty
// object decodes to.
func (l *Ledger) checkDecoded() error { return checkHasID("ledger", l.ID) }
