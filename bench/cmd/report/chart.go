package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Chart geometry, in pixels.
const (
	chartWidth  = 1000
	labelWidth  = 400
	plotRight   = chartWidth - 70
	rowHeight   = 24
	barHeight   = 14
	chartTop    = 56
	chartBottom = 40
	glyphWidth  = 7 // basicfont.Face7x13
)

var (
	colorMet    = color.RGBA{0x2e, 0x8b, 0x57, 0xff}
	colorMissed = color.RGBA{0xc8, 0x3c, 0x32, 0xff}
	colorGrid   = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	colorOne    = color.RGBA{0x88, 0x88, 0x88, 0xff}
)

// logScale maps ratios to x positions between labelWidth and plotRight.
type logScale struct{ lo, hi float64 }

func (s logScale) x(v float64) int {
	v = math.Min(math.Max(v, s.lo), s.hi)
	f := (math.Log10(v) - math.Log10(s.lo)) / (math.Log10(s.hi) - math.Log10(s.lo))
	return labelWidth + int(f*float64(plotRight-labelWidth))
}

// scaleFor covers every value and target in whole decades.
func scaleFor(ts []target) logScale {
	lo, hi := 1.0, 1.0
	for _, t := range ts {
		for _, v := range []float64{t.got, t.want} {
			if v > 0 && !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	return logScale{math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi*1.05)))}
}

// drawChart draws the ratio targets as horizontal bars on a logarithmic
// axis, green where the target is met and red where it is missed, with
// the target as a black tick, and writes the PNG to w. It returns how
// many bars it drew.
func drawChart(w io.Writer, all []target) (int, error) {
	var ts []target
	for _, t := range all {
		if t.chartOK {
			ts = append(ts, t)
		}
	}
	height := chartTop + len(ts)*rowHeight + chartBottom
	img := image.NewRGBA(image.Rect(0, 0, chartWidth, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	sc := scaleFor(ts)
	text(img, 10, 20, "sessions: requests per second relative to peers and floors (same sitting, log scale)", color.Black)
	text(img, 10, 38, "bar = measured ratio (green: target met, red: missed); black tick = target", colorOne)
	plotBottom := chartTop + len(ts)*rowHeight
	labelEnd := 0
	for _, v := range gridValues(sc) {
		c := colorGrid
		if v == 1 {
			c = colorOne
		}
		x := sc.x(v)
		fill(img, image.Rect(x, chartTop-4, x+1, plotBottom), c)
		// Basic fonts have no multiplication sign; and labels that would
		// run into the previous one are left out.
		label := strconv.FormatFloat(v, 'g', -1, 64) + "x"
		if left := x - len(label)*glyphWidth/2; left > labelEnd+glyphWidth {
			text(img, left, plotBottom+16, label, color.Black)
			labelEnd = left + len(label)*glyphWidth
		}
	}
	for i, t := range ts {
		y := chartTop + i*rowHeight
		text(img, 10, y+barHeight-2, shortLabel(t.what), color.Black)
		if math.IsNaN(t.got) {
			text(img, labelWidth+4, y+barHeight-2, "not measured", colorOne)
			continue
		}
		c := colorMissed
		if t.met() {
			c = colorMet
		}
		end, tx := sc.x(t.got), sc.x(t.want)
		fill(img, image.Rect(labelWidth, y, end, y+barHeight), c)
		fill(img, image.Rect(tx-1, y-3, tx+2, y+barHeight+3), color.Black)
		text(img, max(end, tx+2)+6, y+barHeight-2, fmt.Sprintf("%.2fx", t.got), color.Black)
	}
	return len(ts), png.Encode(w, img)
}

// gridValues are the 1-2-5 values within the scale.
func gridValues(sc logScale) []float64 {
	var vs []float64
	for d := sc.lo; d < sc.hi*1.001; d *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if v := d * m; v <= sc.hi*1.001 {
				vs = append(vs, v)
			}
		}
	}
	return vs
}

// shortLabel trims a target's description to fit the label column.
func shortLabel(s string) string {
	s = strings.TrimPrefix(s, "sessions-")
	if n := labelWidth/glyphWidth - 2; len(s) > n {
		s = s[:n-1] + "~"
	}
	return s
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, &image.Uniform{c}, image.Point{}, draw.Src)
}

func text(img *image.RGBA, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
