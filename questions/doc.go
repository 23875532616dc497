// Package questions defines what onsite asks: the four kinds of question, the
// sets they come in, validation that reports every problem with its place, the
// native YAML set format, and the built-in bank embedded in the binary.
package questions
