module github.com/typedsession/sessions/examples/frameworks

go 1.26.0

replace github.com/typedsession/sessions => ../..

require (
	github.com/labstack/echo/v5 v5.4.6
	github.com/typedsession/sessions v0.0.0
	github.com/valyala/fasthttp v1.79.0
)

require (
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/molecule-man/go-brrr v1.3.1 // indirect
	github.com/samber/mo v1.16.0 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
)
