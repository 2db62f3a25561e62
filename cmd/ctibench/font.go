package main

import (
	"image"
	"image/color"
)

// A 3x5 pixel font, enough for axis labels and the legend without a font dependency. Each
// glyph is five rows; bit 2 is the left column.
var glyphs = map[rune][5]uint8{
	'0': {7, 5, 5, 5, 7}, '1': {2, 6, 2, 2, 7}, '2': {7, 1, 7, 4, 7}, '3': {7, 1, 7, 1, 7},
	'4': {5, 5, 7, 1, 1}, '5': {7, 4, 7, 1, 7}, '6': {7, 4, 7, 5, 7}, '7': {7, 1, 1, 2, 2},
	'8': {7, 5, 7, 5, 7}, '9': {7, 5, 7, 1, 7}, '.': {0, 0, 0, 0, 2}, '-': {0, 0, 7, 0, 0},
	'>': {4, 2, 1, 2, 4}, '/': {1, 1, 2, 4, 4}, '%': {5, 1, 2, 4, 5}, ':': {0, 2, 0, 2, 0},
	',': {0, 0, 0, 2, 4}, '(': {1, 2, 2, 2, 1}, ')': {4, 2, 2, 2, 4}, '=': {0, 7, 0, 7, 0},
	'a': {0, 3, 5, 5, 3}, 'b': {4, 6, 5, 5, 6}, 'c': {0, 3, 4, 4, 3}, 'd': {1, 3, 5, 5, 3},
	'e': {0, 2, 7, 4, 3}, 'f': {3, 4, 6, 4, 4}, 'g': {0, 3, 5, 3, 6}, 'h': {4, 6, 5, 5, 5},
	'i': {2, 0, 2, 2, 2}, 'j': {1, 0, 1, 5, 2}, 'k': {4, 5, 6, 5, 5}, 'l': {6, 2, 2, 2, 7},
	'm': {0, 7, 7, 5, 5}, 'n': {0, 6, 5, 5, 5}, 'o': {0, 2, 5, 5, 2}, 'p': {0, 6, 5, 6, 4},
	'q': {0, 3, 5, 3, 1}, 'r': {0, 5, 6, 4, 4}, 's': {0, 3, 6, 3, 6}, 't': {2, 7, 2, 2, 3},
	'u': {0, 5, 5, 5, 3}, 'v': {0, 5, 5, 5, 2}, 'w': {0, 5, 5, 7, 7}, 'x': {0, 5, 2, 2, 5},
	'y': {0, 5, 3, 1, 6}, 'z': {0, 7, 1, 2, 7},
}

const fontScale = 2

// textWidth is the width in pixels of s as drawText draws it.
func textWidth(s string) int { return len([]rune(s)) * 4 * fontScale }

// drawText draws s with its top-left corner at (x, y); upper case is drawn as lower case and
// characters without a glyph as blanks.
func drawText(img *image.RGBA, x, y int, s string, c color.Color) {
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		g := glyphs[r]
		for row := range 5 {
			for col := range 3 {
				if g[row]&(4>>col) == 0 {
					continue
				}
				for dy := range fontScale {
					for dx := range fontScale {
						img.Set(x+col*fontScale+dx, y+row*fontScale+dy, c)
					}
				}
			}
		}
		x += 4 * fontScale
	}
}
