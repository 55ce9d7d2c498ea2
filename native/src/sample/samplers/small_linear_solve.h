// Tiny dense linear systems (n <= 4) that multistep samplers solve for their coefficients.
#pragma once

#include <vector>

namespace sdn {

// Solves a x = b by Gaussian elimination with partial pivoting.
std::vector<double> solve_small_linear(std::vector<std::vector<double>> a, std::vector<double> b);

}  // namespace sdn
