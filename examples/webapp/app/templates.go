package app

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"time"
)

// css is the whole style sheet, inline so that the app has no build step
// and no static files. The Content-Security-Policy allows exactly this
// text by its hash, so no other style, and no script at all, can run.
const css = `
:root{--ink:#1f2430;--muted:#5d6474;--line:#e3e6ee;--bg:#f5f6fa;--card:#fff;--accent:#3451b2;--ok:#e7f6ec;--ok-ink:#17643a;--warn:#fff4e0;--warn-ink:#8a4b00}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--accent);color:#fff}
header .bar{max-width:46rem;margin:0 auto;padding:.8rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a,header button.link{color:#fff;text-decoration:none;font-weight:500}
.brand{font-weight:700;margin-right:auto;letter-spacing:.01em}
main{max-width:46rem;margin:1.5rem auto;padding:0 1rem}
h1{font-size:1.5rem;margin:.2rem 0 1rem}
h2{font-size:1.1rem;margin:0 0 .6rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:1rem 1.2rem;margin:0 0 1rem;box-shadow:0 1px 2px rgba(20,30,60,.05)}
.card>:first-child{margin-top:0}
.card>:last-child{margin-bottom:0}
.flash{border-radius:.5rem;padding:.6rem 1rem;margin:0 0 1rem;font-weight:500}
.flash.ok{background:var(--ok);color:var(--ok-ink)}
.flash.warn{background:var(--warn);color:var(--warn-ink)}
form{margin:0}
form.inline{display:inline}
.row{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}
input{font:inherit;padding:.4rem .6rem;border:1px solid var(--line);border-radius:.4rem;min-width:0}
button{font:inherit;white-space:nowrap;padding:.4rem .9rem;border-radius:.4rem;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.quiet{background:#fff;color:var(--accent)}
button.danger{border-color:#b42335;background:#fff;color:#b42335}
button.link{background:none;border:0;padding:0;cursor:pointer}
.muted{color:var(--muted);font-size:.9rem}
.big{font-size:2rem;font-weight:700;margin:0 .4rem 0 0}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.55rem .4rem;border-bottom:1px solid var(--line);vertical-align:middle}
th{font-size:.85rem;color:var(--muted);font-weight:600;white-space:nowrap}
time{white-space:nowrap}
tr:last-child td{border-bottom:0}
.badge{display:inline-block;font-size:.75rem;font-weight:600;padding:.1rem .5rem;border-radius:1rem;background:var(--ok);color:var(--ok-ink);margin-left:.4rem}
ul.shop{list-style:none;padding:0;margin:0}
ul.shop li{display:flex;justify-content:space-between;align-items:center;padding:.4rem 0;border-bottom:1px solid var(--line)}
ul.shop li:last-child{border-bottom:0}
code{background:var(--bg);padding:.05rem .3rem;border-radius:.25rem}
footer{max-width:46rem;margin:2rem auto;padding:0 1rem;color:var(--muted);font-size:.85rem}
`

// contentSecurityPolicy allows the inline style sheet and nothing else
// from anywhere but this origin: no scripts, no frames, forms posting
// only here.
func contentSecurityPolicy() string {
	sum := sha256.Sum256([]byte(css))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
		"img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}

// The layout every page shares; each page defines "content". Every POST
// form of a visitor with a session carries the CSRF token in the field
// httpsession.CSRFField reads; those of a visitor without one have none.
const layout = `{{define "layout"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · sessions demo</title><style>` + css + `</style></head>
<body><header><div class="bar"><a class="brand" href="/">sessions demo</a>
{{if .User}}<a href="/">Home</a><a href="/devices" id="devices-link">Your devices</a>
<form method="post" action="/logout" class="inline">{{template "csrf" .}}<button class="link" id="logout">Log out {{.User}}</button></form>{{end}}
</div></header>
<main>
{{range .Flash}}<p class="flash {{.Kind}}" role="status">{{.Text}}</p>
{{end}}{{template "content" .}}
</main>
<footer>Sessions live in the {{.Store}} store. The cookie is <code>{{.Cookie}}</code>: HttpOnly, SameSite=Lax{{if .Secure}}, Secure{{end}}.</footer>
</body></html>
{{end}}
{{define "csrf"}}{{with .CSRF}}<input type="hidden" name="csrf_token" value="{{.}}">{{end}}{{end}}`

const homeContent = `{{define "content"}}{{with .Main}}
{{if $.User}}
<section class="card"><h2>Counter</h2>
<div class="row"><span class="big" id="counter">{{.Count}}</span>
<form method="post" action="/count" id="count-form">{{template "csrf" $}}<button id="count">Count</button></form></div>
<p class="muted">Kept in this session on {{.Device}}: other devices count on their own.</p></section>
{{else}}
<section class="card"><h2>Log in</h2>
<form method="post" action="/login" id="login-form" class="row">{{template "csrf" $}}
<input id="user" name="user" placeholder="user name" required maxlength="32" autocomplete="username">
<input id="password" name="password" type="password" placeholder="password" required autocomplete="current-password">
<button id="login">Log in</button></form>
<p class="muted">Any user name of letters, digits, dots, dashes or underscores, with the password <code>demo</code>.
Logging in moves the session to a new token and keeps your cart.</p></section>
{{end}}
<section class="card"><h2>Shop</h2><ul class="shop">
{{range .Products}}<li><span>{{.Name}} <span class="muted">{{.Price}}</span></span>
<form method="post" action="/cart/add">{{template "csrf" $}}<input type="hidden" name="product" value="{{.ID}}"><button class="quiet" id="add-{{.ID}}">Add</button></form></li>
{{end}}</ul></section>
<section class="card" id="cart"><h2>Your cart</h2>
{{if .Cart}}<table><tr><th>Product</th><th>Quantity</th><th>Subtotal</th><th></th></tr>
{{range .Cart}}<tr><td>{{.Product.Name}}</td><td id="qty-{{.Product.ID}}">{{.Quantity}}</td><td>{{.Subtotal}}</td>
<td><form method="post" action="/cart/remove">{{template "csrf" $}}<input type="hidden" name="product" value="{{.Product.ID}}"><button class="quiet" id="remove-{{.Product.ID}}">Remove one</button></form></td></tr>
{{end}}<tr><td><strong>Total</strong></td><td></td><td><strong id="total">{{.Total}}</strong></td><td></td></tr></table>
{{else}}<p class="muted" id="cart-empty">Your cart is empty.</p>{{end}}
</section>
{{end}}{{end}}`

const devicesContent = `{{define "content"}}{{with .Main}}
<h1>Your devices</h1>
<section class="card">
<p>Every browser where <strong>{{$.User}}</strong> is logged in. Logging out a device ends its session at once.</p>
<table id="devices"><tr><th>Device</th><th>Started</th><th>Last active</th><th></th></tr>
{{range .Rows}}<tr class="device{{if .Current}} current{{end}}"><td>{{.Label}}{{if .Current}}<span class="badge">this device</span>{{end}}</td>
<td><time datetime="{{stamp .Started}}">{{clock .Started}}</time></td>
<td><time datetime="{{stamp .LastActive}}" title="{{clock .LastActive}}">{{.Ago}}</time></td>
<td>{{if .Current}}<form method="post" action="/logout">{{template "csrf" $}}<button class="quiet" id="logout-this">Log out</button></form>
{{else}}<form method="post" action="/devices/logout">{{template "csrf" $}}<input type="hidden" name="id" value="{{.ID}}"><button class="danger logout-device">Log out</button></form>{{end}}</td></tr>
{{end}}</table></section>
{{if gt (len .Rows) 1}}<form method="post" action="/devices/logout-others" class="card row">{{template "csrf" $}}
<button class="danger" id="logout-others">Log out everywhere else</button><span class="muted">Keeps only this browser logged in.</span></form>{{end}}
<p class="muted"><strong>Started</strong> is when the browser's session began: with its first action, adding to the cart or logging in.
Logging in moves the session to a new token but keeps that start.
<strong>Last active</strong> is read from the session's expiry, which every request moves to {{.Idle}} ahead, writing it at most once every {{.Touch}};
so it is accurate to {{.Touch}} and costs no extra writes.
A session ends after {{.Idle}} without a request, and {{.Lifetime}} after it started in any case.</p>
{{end}}{{end}}`

const problemContent = `{{define "content"}}{{with .Main}}
<section class="card" id="problem" data-status="{{.Status}}"><h1>{{.Heading}}</h1><p>{{.Message}}</p>
<p><a href="/">Back to the start page</a></p></section>
{{end}}{{end}}`

// pages holds the parsed templates, one per page.
type pages struct {
	home, devices, problem *template.Template
}

// parsePages parses the layout once and each page on a clone of it.
func parsePages() (pages, error) {
	base, err := template.New("layout").Funcs(template.FuncMap{
		"stamp": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"clock": func(t time.Time) string { return t.UTC().Format("2 Jan 15:04 UTC") },
	}).Parse(layout)
	if err != nil {
		return pages{}, err
	}
	var p pages
	for _, pg := range []struct {
		dst  **template.Template
		text string
	}{{&p.home, homeContent}, {&p.devices, devicesContent}, {&p.problem, problemContent}} {
		clone, err := base.Clone()
		if err != nil {
			return pages{}, err
		}
		if *pg.dst, err = clone.Parse(pg.text); err != nil {
			return pages{}, err
		}
	}
	return p, nil
}

// view is what every page template receives: the layout's fields and the
// page's own in Main.
type view struct {
	Title  string
	User   string
	CSRF   string
	Flash  []notice
	Store  string
	Cookie string
	Secure bool
	Main   any
}

// homeView is the start page's part of a view.
type homeView struct {
	Count    int
	Device   string
	Products []product
	Cart     []cartLine
	Total    string
}

// devicesView is the devices page's part of a view.
type devicesView struct {
	Rows                  []deviceRow
	Idle, Touch, Lifetime string
}

// problemView is an error page's part of a view.
type problemView struct {
	Status           int
	Heading, Message string
}
