// Package soak is the randomized chaos soak of the SDK: many goroutines
// of random, valid work against assettest while faults strike at random
// moments, with a history of every call checked afterwards against the
// fake's final state, to the cent.
//
// It is all in the package's tests. A short run is part of go test:
//
//	go test -run Soak ./soak/                      # a few seconds
//	go test -run Soak ./soak/ -soak=10m            # a long run
//	go test -run Soak ./soak/ -soak.seed=1234      # replay a failure
//
// See the README's "The soak" for what it covers.
package soak
