//go:build race

package main

// slowdown: a race-instrumented build starts several times slower; the
// timing targets are for the product's build.
const slowdown = 3
