package aadhaar

import (
	"encoding/json"
	"fmt"
)

// EventNotification is the event of every notification documented.
const EventNotification = "ESIGN_WEBHOOK_NOTIFICATION"

// Notification is a webhook payload (notifications.mdx): the request as
// it stood when the service sent it. Notifications are not signed and
// may come twice or out of order: Signet never acts on one by itself,
// it fetches the request again first.
type Notification struct {
	Data struct {
		Esign Request `json:"esign"`
	} `json:"data"`
	Event     string `json:"event"`
	TimeStamp string `json:"timeStamp"`
}

// maxNotification bounds a notification's body: six signers' details
// are a few kilobytes.
const maxNotification = 1 << 20

// ParseNotification reads a notification; it must be the documented
// event and name a request.
func ParseNotification(body []byte) (*Notification, error) {
	if len(body) > maxNotification {
		return nil, fmt.Errorf("notification of %d bytes is too large", len(body))
	}
	var n Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, fmt.Errorf("notification is not the documented JSON: %w", err)
	}
	if n.Event != EventNotification {
		return nil, fmt.Errorf("notification event %q is not %s", n.Event, EventNotification)
	}
	if n.Data.Esign.ID == "" {
		return nil, fmt.Errorf("notification names no signature request")
	}
	return &n, nil
}
