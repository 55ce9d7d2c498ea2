// The beta distribution's CDF (regularized incomplete beta) and its inverse, in double
// precision. The "beta" scheduler needs scipy.stats.beta.ppf(q, 0.6, 0.6).
#pragma once

namespace sdn {

// I_x(a, b) for x in [0, 1], a, b > 0.
double regularized_incomplete_beta(double x, double a, double b);
// The x with I_x(a, b) = q, q in [0, 1]; accurate to about 1e-13.
double beta_ppf(double q, double a, double b);

}  // namespace sdn
