// The relative RMS error of a result against a reference, the measure the accuracy bounds of
// bf16_error_bound.h and weight_rounding_bound.h are stated in.
#pragma once

#include <cmath>
#include <cstddef>

namespace sdn_test {

// ||got - want|| / ||want|| over all elements.
template <class A, class B>
double relative_rms(const A& got, const B& want) {
    double err2 = 0, ref2 = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        const double d = double(got[i]) - double(want[i]);
        err2 += d * d;
        ref2 += double(want[i]) * double(want[i]);
    }
    return std::sqrt(err2 / ref2);
}

}  // namespace sdn_test
