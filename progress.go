package asset

// Progress is how far a CreateMany call has come, as its progress function
// is told after each batch.
type Progress struct {
	// Done is the invoices whose batch has finished, created or not.
	Done int
	// Total is the invoices given to CreateMany.
	Total int
	// Created is the invoices created so far.
	Created int
	// Failed is the failures reported so far (see BatchError).
	Failed int
}
