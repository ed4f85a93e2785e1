package remotesigning

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/signet-sign/signet/i18n"
)

// recorder answers every call with a fixed code and remembers what came.
type recorder struct {
	mu    sync.Mutex
	code  int
	extra map[string]any
	calls []call
}

type call struct {
	path, auth string
	body       map[string]any
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	rec.mu.Lock()
	rec.calls = append(rec.calls, call{r.URL.Path, r.Header.Get("Authorization"), body})
	code, extra := rec.code, rec.extra
	rec.mu.Unlock()
	if r.URL.Path == "/clients/login" {
		json.NewEncoder(w).Encode(map[string]string{"token": "jwt-1"})
		return
	}
	out := map[string]any{"responseCode": code, "responseMessage": "MSG", "billCode": "B-1"}
	for k, v := range extra {
		out[k] = v
	}
	json.NewEncoder(w).Encode(out)
}

func (rec *recorder) last() call {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.calls[len(rec.calls)-1]
}

func newRecorded(t *testing.T) (*Client, *recorder) {
	rec := &recorder{code: CodeRequestAccepted}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL, Username: "u", Password: "p", RPCode: "RP"})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// TestManagementEndpoints checks each agreement-management call reaches
// its documented path with the bearer token and the agreement.
func TestManagementEndpoints(t *testing.T) {
	c, rec := newRecorded(t)
	ctx := context.Background()
	cases := []struct {
		path string
		do   func() (*Response, error)
		want map[string]any
	}{
		{"/certificates/register", func() (*Response, error) {
			return c.Register(ctx, map[string]any{"agreementDetails": map[string]any{"personalName": "A"}, "email": "a@example.vn"})
		}, map[string]any{"email": "a@example.vn"}},
		{"/certificates/change", func() (*Response, error) { return c.Change(ctx, "ag-1", map[string]any{"location": "Hà Nội"}) }, map[string]any{"agreementUUID": "ag-1"}},
		{"/certificates/change-pin", func() (*Response, error) { return c.ChangePIN(ctx, "ag-1", []byte("1111"), []byte("2222")) },
			map[string]any{"agreementUUID": "ag-1", "currentPasscode": "1111", "newPasscode": "2222"}},
		{"/certificates/forget-pin", func() (*Response, error) { return c.ForgetPIN(ctx, "ag-1", "Subject", "Code {AuthorizeCode}") }, map[string]any{"agreementUUID": "ag-1"}},
		{"/certificates/renew", func() (*Response, error) { return c.Renew(ctx, "ag-1", "PERS.1Y") }, map[string]any{"certificateProfile": "PERS.1Y"}},
		{"/certificates/revoke", func() (*Response, error) { return c.Revoke(ctx, "ag-1") }, map[string]any{"agreementUUID": "ag-1"}},
		{"/certificates/enable", func() (*Response, error) { return c.Enable(ctx, "ag-1") }, map[string]any{"agreementUUID": "ag-1"}},
		{"/certificates/disable", func() (*Response, error) { return c.Disable(ctx, "ag-1") }, map[string]any{"agreementUUID": "ag-1"}},
	}
	for _, tc := range cases {
		t.Run("ok "+tc.path, func(t *testing.T) {
			r, err := tc.do()
			if err != nil || r.BillCode != "B-1" {
				t.Fatalf("r %+v err %v", r, err)
			}
			got := rec.last()
			if got.path != tc.path || got.auth != "Bearer jwt-1" {
				t.Errorf("called %s with %q", got.path, got.auth)
			}
			for k, v := range tc.want {
				if got.body[k] != v {
					t.Errorf("%s = %v, want %v", k, got.body[k], v)
				}
			}
		})
	}
	t.Run("fail wrong current passcode shows the tries left", func(t *testing.T) {
		rec.code, rec.extra = CodeInvalidAuthCode, map[string]any{"remainingCounter": 2}
		defer func() { rec.code, rec.extra = CodeRequestAccepted, nil }()
		_, err := c.ChangePIN(ctx, "ag-1", []byte("1"), []byte("2"))
		var re *Error
		if !errors.As(err, &re) || re.RemainingCounter != 2 || !strings.Contains(err.Error(), "2 tries left") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestCodes checks every documented response code: success codes pass,
// 1007 is "waiting" only where a code may follow, every other code is an
// error with a person's message and, where one fits, a sentinel.
func TestCodes(t *testing.T) {
	for code := 1000; code <= 1029; code++ {
		r := &Response{ResponseCode: code, ResponseMessage: "MSG"}
		err := check("/x", r, false)
		switch code {
		case CodeOKPasscodeMustChange:
			if err != nil {
				t.Errorf("%d: %v", code, err)
			}
			continue
		case CodeRequestAccepted:
			if err == nil || check("/x", r, true) != nil {
				t.Errorf("1007 must succeed only where a code may follow: %v", err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%d passes", code)
			continue
		}
		if _, ok := codeInfo[code]; !ok {
			t.Errorf("%d has no message", code)
		}
		if msg := i18n.In(i18n.For("en"), codeInfo[code].id, -1); msg == codeInfo[code].id || !strings.Contains(err.Error(), msg) {
			t.Errorf("%d: %v", code, err)
		}
		// Said in the language, the service's words kept.
		var said i18n.Said
		if !errors.As(err, &said) || !strings.Contains(said.Say(i18n.For("lv")), "attālā parakstīšana /x: ") {
			t.Errorf("%d in Latvian: %v", code, err)
		}
		if errors.Unwrap(err) == nil {
			t.Errorf("%d has no sentinel", code)
		}
	}
	if check("/x", &Response{}, false) != nil {
		t.Error("0 fails")
	}
}
