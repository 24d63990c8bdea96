package asset

import "github.com/assetkit/asset-go/internal/httpcore"

// Version is this SDK's version, sent in the User-Agent header. Until a
// release is tagged it is the next one with a -dev suffix, as the
// CHANGELOG's Unreleased section is.
const Version = "0.1.0-dev"

// userAgent is the User-Agent header of every request.
var userAgent = httpcore.UserAgent("asset-go", Version)
