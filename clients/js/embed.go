// Package js holds the browser SDK (ctibridge.js), its README and an example page, embedded
// so that the bridge's web server can serve them.
package js

import "embed"

// Files holds ctibridge.js (with readmodel.js), README.md and example.html.
//
//go:embed ctibridge.js readmodel.js README.md example.html
var Files embed.FS
