package aadhaar

import (
	"fmt"
	"strconv"
)

// Rect is a signature's place as Signet describes it everywhere (the
// app's drag-a-box placement, the CLI's --visible and --page): Page is
// 1-based, 0 is the first page and a negative page counts from the end
// (-1 the last); the corners are in points from the page's lower-left
// corner, in any order.
type Rect struct {
	Page           int
	X1, Y1, X2, Y2 float64
}

// pageIndex turns Signet's page into a 0-based index into pages.
func pageIndex(page, pages int) (int, error) {
	i := page - 1
	switch {
	case page == 0:
		i = 0
	case page < 0:
		i = pages + page
	}
	if i < 0 || i >= pages {
		return 0, fmt.Errorf("page %d is not in a document of %d pages", page, pages)
	}
	return i, nil
}

// SignRectangleFor converts a place into the signing config's rectangle:
// the same points (both use a lower-left origin), the page 0-based as the
// seed says ("Assuming starting index as 0").
func SignRectangleFor(r Rect, pages int) (SignRectangle, error) {
	i, err := pageIndex(r.Page, pages)
	if err != nil {
		return SignRectangle{}, err
	}
	c := Coordinate{LowerLeftX: min(r.X1, r.X2), LowerLeftY: min(r.Y1, r.Y2), UpperRightX: max(r.X1, r.X2), UpperRightY: max(r.Y1, r.Y2)}
	if c.UpperRightX-c.LowerLeftX < 1 || c.UpperRightY-c.LowerLeftY < 1 {
		return SignRectangle{}, fmt.Errorf("the signature rectangle %v,%v,%v,%v is empty", r.X1, r.Y1, r.X2, r.Y2)
	}
	return SignRectangle{Coordinate: c, Pages: []int{i}}, nil
}

// DefaultRect is where signer n (0-based) of a request signs when no
// place is given: boxes of the service's recommended 180×60 (1:3), three
// to a row from the lower-left margin of the last page.
func DefaultRect(n int) Rect {
	x := 36 + float64(n%3)*190
	y := 36 + float64(n/3)*70
	return Rect{Page: -1, X1: x, Y1: y, X2: x + 180, Y2: y + 60}
}

// NamedPlacement is the seed's "signature" object for a named position
// ("bottom-left", …) on a page, 1-based (see [Placement]), at the
// recommended 180×60.
func NamedPlacement(position string, page, pages int) (*Placement, error) {
	i, err := pageIndex(page, pages)
	if err != nil {
		return nil, err
	}
	return &Placement{OnPages: []string{strconv.Itoa(i + 1)}, Position: position, Height: 60, Width: 180}, nil
}
