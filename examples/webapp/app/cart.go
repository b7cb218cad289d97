package app

import "net/http"

// cartAdd puts one of a product in the cart. Anyone may shop; the cart
// lives in the session and survives logging in.
func (s *server) cartAdd(w http.ResponseWriter, r *http.Request) {
	p, ok := findProduct(r.PostFormValue("product"))
	if !ok {
		s.notify(w, r, "warn", "That product is not on sale.", "/")
		return
	}
	v, err := s.mw.Session(r).Get()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Cart[p.ID] >= maxQuantity {
		s.notify(w, r, "warn", "You can have at most 9 of each product.", "/")
		return
	}
	s.changeCart(w, r, p, +1, "Added "+p.Name+" to your cart.")
}

// cartRemove takes one of a product out of the cart.
func (s *server) cartRemove(w http.ResponseWriter, r *http.Request) {
	p, ok := findProduct(r.PostFormValue("product"))
	if !ok {
		s.notify(w, r, "warn", "That product is not on sale.", "/")
		return
	}
	v, err := s.mw.Session(r).Get()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Cart[p.ID] == 0 {
		s.notify(w, r, "warn", p.Name+" is not in your cart.", "/")
		return
	}
	s.changeCart(w, r, p, -1, "Removed one "+p.Name+" from your cart.")
}

// changeCart adds delta of p to the cart, within 0 and maxQuantity, and
// leaves a flash message. The update function may change the map in
// place: the middleware hands it a private copy of the value every time
// it runs, replays included.
func (s *server) changeCart(w http.ResponseWriter, r *http.Request, p product, delta int, message string) {
	err := s.mw.Session(r).Update(func(v visit) (visit, error) {
		if v.Cart == nil {
			v.Cart = make(map[string]int, 1)
		}
		q := min(max(v.Cart[p.ID]+delta, 0), maxQuantity)
		if q == 0 {
			delete(v.Cart, p.ID)
		} else {
			v.Cart[p.ID] = q
		}
		v.Flash = v.Flash.Put(notice{Kind: "ok", Text: message})
		return v, nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/")
}
