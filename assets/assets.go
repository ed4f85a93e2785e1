// Package assets holds the files Signet ships inside its binary.
package assets

import _ "embed"

// SignatureFont is the TrueType font of visible signatures' text: a subset
// of DejaVu Sans covering Latin (Vietnamese included), Greek and Cyrillic.
// See fonts/README.md for how it is made and its licence.
//
//go:embed fonts/DejaVuSans-Signet.ttf
var SignatureFont []byte

// Icon is the app's icon (512×512 PNG), also named in FyneApp.toml.
//
//go:embed icon.png
var Icon []byte
