//go:build !linux

package main

// restoreLocale: only Linux needs the constructor in locale_linux.go (Fyne
// reads the locale from the environment only there and on other Unix
// systems without a native API; see that file).
func restoreLocale() {}
