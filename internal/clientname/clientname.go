// Package clientname lets a client built on package asset's error types
// (katsupay) name itself in their messages: its callers should read
// "katsupay: invalid baseURL", not "asset: invalid baseURL".
//
// Package asset cannot be imported from here (it imports the internal
// packages), so it installs Set when it is initialised; any package that
// imports asset finds Set installed.
package clientname

// Set makes the asset errors in err's chain (*asset.InputError,
// *asset.NetworkError) read "name: ..." instead of "asset: ...". The errors
// are changed in place: call it only on errors just built for the caller.
var Set func(err error, name string)
