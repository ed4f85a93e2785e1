package main

// Fyne's lang package reads the locale at init, before main, and logs
// "Fyne error: Error parsing user locale C" (three lines on stderr) when
// the locale is one it cannot parse: C.UTF-8 (Debian's default in
// containers, CI and cron), values with an @modifier, and others. Every
// CLI command would print them. Package inits run before any Go code of
// ours can act, so a C constructor, which the loader runs before the Go
// runtime starts, hides the locale variables from the environment Go is
// about to read; main then puts them back before anything else runs, and
// Signet's own code (and Fyne's, when the app opens) sees the user's
// locale as it was.

/*
#include <string.h>

#define SIGNET_MAX_LOCALE_VARS 16

static char *signet_locale_saved[SIGNET_MAX_LOCALE_VARS];
static int signet_locale_count;
static char signet_locale_hidden[] = "SIGNET_HIDDEN_LOCALE=";

static int signet_is_locale_var(const char *entry) {
	static const char *names[] = {"LANG=", "LANGUAGE=", "LC_ALL=", "LC_MESSAGES=", 0};
	for (int i = 0; names[i]; i++) {
		if (strncmp(entry, names[i], strlen(names[i])) == 0) {
			return 1;
		}
	}
	return 0;
}

// environ is, before anything has changed the environment, the very
// array on the process stack that the Go runtime copies its environment
// from (glibc and musl alike; only glibc also passes it as an argument to
// constructors, so the global is the portable way).
extern char **environ;

__attribute__((constructor)) static void signet_hide_locale(void) {
	for (char **e = environ; e && *e; e++) {
		if (signet_is_locale_var(*e) && signet_locale_count < SIGNET_MAX_LOCALE_VARS) {
			signet_locale_saved[signet_locale_count++] = *e;
			*e = signet_locale_hidden;
		}
	}
}

static int signet_locale_vars(void) { return signet_locale_count; }
static const char *signet_locale_var(int i) { return signet_locale_saved[i]; }
*/
import "C"

import (
	"os"
	"strings"
)

// restoreLocale puts back the locale variables the constructor hid.
func restoreLocale() {
	n := int(C.signet_locale_vars())
	if n == 0 {
		return
	}
	os.Unsetenv("SIGNET_HIDDEN_LOCALE")
	for i := range n {
		if name, value, ok := strings.Cut(C.GoString(C.signet_locale_var(C.int(i))), "="); ok {
			os.Setenv(name, value)
		}
	}
}
