#include "beta_distribution.h"

#include <cmath>

namespace sdn {

namespace {

// Continued fraction for the incomplete beta (modified Lentz), valid for x < (a+1)/(a+b+2).
double beta_continued_fraction(double x, double a, double b) {
    const double tiny = 1e-300;
    const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0;
    double d = 1.0 - qab * x / qap;
    if (std::fabs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 1000; ++m) {
        const double m2 = 2.0 * m;
        // Even step.
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        h *= d * c;
        // Odd step.
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        const double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1.0) < 1e-16) break;
    }
    return h;
}

double log_beta_prefactor(double x, double a, double b) {
    return std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
           b * std::log1p(-x);
}

}  // namespace

double regularized_incomplete_beta(double x, double a, double b) {
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    const double front = std::exp(log_beta_prefactor(x, a, b));
    if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_continued_fraction(x, a, b) / a;
    // Symmetry I_x(a,b) = 1 - I_{1-x}(b,a) keeps the fraction convergent.
    return 1.0 - front * beta_continued_fraction(1.0 - x, b, a) / b;
}

double beta_ppf(double q, double a, double b) {
    if (q <= 0.0) return 0.0;
    if (q >= 1.0) return 1.0;
    // A symmetric distribution's median is exactly 1/2 (scipy/boost return it exactly, and
    // the beta scheduler rounds 0.5*999 = 499.5 half-to-even, so an approximation would
    // land on the wrong side).
    if (a == b && q == 0.5) return 0.5;
    // Plain bisection: the CDF is monotone, and the density is unbounded at 0 and 1 for
    // a, b < 1, which makes Newton steps unreliable there. 64 halvings reach double precision.
    double lo = 0.0, hi = 1.0, x = 0.5;
    for (int i = 0; i < 64; ++i) {
        x = 0.5 * (lo + hi);
        if (regularized_incomplete_beta(x, a, b) < q) lo = x; else hi = x;
    }
    return x;
}

}  // namespace sdn
