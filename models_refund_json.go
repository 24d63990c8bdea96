package asset

// checkDecoded tells a refund the API sent from the zero value an empty
// object decodes to.
func (r *Refund) checkDecoded() error { return checkHasID("refund", r.ID) }
