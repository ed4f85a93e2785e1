package redact

import "testing"

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ name, in, url, text string }{
		{"ok no credentials", "https://tsa.example/ts", "https://tsa.example/ts", "https://tsa.example/ts"},
		{"ok user and password", "https://user:s3cret@tsa.example/ts?x=1", "https://user:xxxxx@tsa.example/ts?x=1", "https://user:xxxxx@tsa.example/ts?x=1"},
		{"ok user only", "https://user@tsa.example/", "https://user@tsa.example/", "https://user@tsa.example/"},
		{"ok in a sentence", `timestamp authority http://a:b@h:8080/x: HTTP 500`, `timestamp authority http://a:xxxxx@h:8080/x: HTTP 500`, `timestamp authority http://a:xxxxx@h:8080/x: HTTP 500`},
		{"ok two URLs", "http://a:1@x/ and https://b:2@y/", "http://a:xxxxx@x/ and https://b:xxxxx@y/", "http://a:xxxxx@x/ and https://b:xxxxx@y/"},
		{"ok empty password", "https://u:@h/", "https://u:xxxxx@h/", "https://u:xxxxx@h/"},
		{"ok port, no credentials", "http://127.0.0.1:8080/tsa", "http://127.0.0.1:8080/tsa", "http://127.0.0.1:8080/tsa"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text(tc.in); got != tc.text {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.text)
			}
			if got := URL(tc.in); got != tc.url {
				t.Errorf("URL(%q) = %q, want %q", tc.in, got, tc.url)
			}
		})
	}
}

func TestHosts(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ok token in the query", "timestamp authority https://tsa.example/ts?token=s3cret: HTTP 500", "timestamp authority https://tsa.example: HTTP 500"},
		{"ok credentials and path", "Post \"http://u:p@127.0.0.1:8080/a/b\": refused", "Post \"http://127.0.0.1:8080\": refused"},
		{"ok no URL", "nothing here", "nothing here"},
		{"ok two", "https://a.example/x and http://b.example:81/y?z", "https://a.example and http://b.example:81"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Hosts(tc.in); got != tc.want {
				t.Errorf("Hosts(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
