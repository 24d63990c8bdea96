package assettest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUpdateLineShape(t *testing.T) {
	// The documented PATCH line is description, amount, ledger_id and
	// metadata, amount required: pydantic refuses a line without an amount
	// and drops fields of the create-line shape without a word.
	h := newTester(t)
	id := h.createOne(biz, "UL-1", "10")
	patch := func(line map[string]any) reply {
		return h.do("PATCH", bizPath(biz, "/invoice/"+id), map[string]any{
			"line_changes": map[string]any{"create_lines": []any{line}},
		})
	}
	// Each case runs only after the ones before it were refused, so the
	// invoice still has its one line.

	t.Run("priced but no amount", func(t *testing.T) {
		rep := patch(map[string]any{"description": "x", "unit_price": 5, "quantity": 2})
		rep.requireStatus(t, 422)
		rep.requireDetailAt(t, "missing", "body", "line_changes", "create_lines", 0, "amount")
		inv, ok := h.srv.Invoice(biz, id)
		require.True(t, ok)
		assert.Len(t, inv.Lines, 1, "a refused change adds no line")
	})
	t.Run("nothing but a description", func(t *testing.T) {
		patch(map[string]any{"description": "x"}).
			requireDetailAt(t, "missing", "body", "line_changes", "create_lines", 0, "amount")
	})
	t.Run("null amount", func(t *testing.T) {
		patch(map[string]any{"amount": nil}).
			requireDetailAt(t, "decimal_type", "body", "line_changes", "create_lines", 0, "amount")
	})
	t.Run("amount, create-line fields ignored", func(t *testing.T) {
		rep := patch(map[string]any{"description": "fee", "amount": "2.50", "unit_price": 5, "quantity": 2, "ledger_id": "ldg_1", "metadata": map[string]any{"k": "v"}})
		rep.requireStatus(t, 200)
		lines := rep.get("data", "lines").([]any)
		require.Len(t, lines, 2)
		assert.Equal(t, "2.50", num(get(lines[1], "amount")))
		assert.Nil(t, get(lines[1], "unit_price"), "the update line has no price")
		assert.Equal(t, "ldg_1", get(lines[1], "ledger_id"))
		assert.Equal(t, "12.50", num(rep.get("data", "total_amount")))
	})
}
