package srp

import (
	"math/big"
	"sync"
)

// Powers of the fixed generator g use a table of precomputed powers instead
// of math/big's square-and-multiply: g^e for a 256-bit e (every x and b) then
// costs 43 modular multiplications instead of some 320 Montgomery steps,
// about three times faster, for all of Verifier's work and B's. The table
// takes about 1 MiB, built on first use.
const (
	windowBits = 6
	fixedBits  = 256
	windows    = (fixedBits + windowBits - 1) / windowBits
)

var (
	gTableOnce sync.Once
	// gTable[i][j-1] = g^(j·2^(windowBits·i)) mod N.
	gTable [windows][1<<windowBits - 1]*big.Int
)

func buildGTable() {
	base, t := new(big.Int).Set(G), new(big.Int)
	for i := range gTable {
		row := &gTable[i]
		row[0] = new(big.Int).Set(base)
		for j := 1; j < len(row); j++ {
			// Set copies out of the double-length product's buffer.
			row[j] = new(big.Int).Set(mulMod(t, row[j-1], base))
		}
		mulMod(base, row[len(row)-1], base)
	}
}

// gExp returns g^e mod N.
func gExp(e *big.Int) *big.Int {
	if e.Sign() < 0 || e.BitLen() > fixedBits {
		return new(big.Int).Exp(G, e, N)
	}
	gTableOnce.Do(buildGTable)
	z, r := big.NewInt(1), new(big.Int)
	prod, q := new(big.Int), new(big.Int)
	for i := range windows {
		var d uint
		for j := range windowBits {
			d |= e.Bit(i*windowBits+j) << j
		}
		// A zero digit multiplies too, and drops the product, so that the
		// time does not count the exponent's zero digits.
		prod.Mul(z, gTable[i][max(d, 1)-1])
		q.QuoRem(prod, N, r)
		if d != 0 {
			z, r = r, z
		}
	}
	return z
}

// mulMod sets z = x·y mod N for non-negative x and y.
func mulMod(z, x, y *big.Int) *big.Int {
	z.Mul(x, y)
	return z.Mod(z, N)
}
