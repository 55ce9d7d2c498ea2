// Scheduler tables against the spec's reference values (§2.4/§2.5 of the ComfyUI
// compatibility spec, computed there in plain float64 Python) and independent re-derivations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "sample/beta_distribution.h"
#include "sample/schedulers.h"
#include "sample/sigma_schedule.h"

namespace {

const sdn::DiscreteSchedule& S() { return sdn::DiscreteSchedule::sd15(); }

void expect_table(const std::vector<double>& got, const std::vector<double>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << "index " << i;
}

TEST(SigmaSchedule, Sd15EndpointsMatchSpec) {
    EXPECT_NEAR(S().sigma_min(), 0.0291672, 1e-6);
    EXPECT_NEAR(S().sigma_max(), 14.614641, 1e-5);
    EXPECT_NEAR(S().sigma_at_index(1), 0.0413144, 1e-6);
}

TEST(SigmaSchedule, TimestepIsNearestIntegerInLogSpace) {
    EXPECT_EQ(S().timestep(S().sigma_max()), 999);
    EXPECT_EQ(S().timestep(S().sigma_min()), 0);
    EXPECT_EQ(S().timestep(S().sigma_at_index(500)), 500);
    // Slightly above sigma[500] in log space but below the midpoint to sigma[501]: 500.
    const double l500 = std::log(S().sigma_at_index(500)), l501 = std::log(S().sigma_at_index(501));
    EXPECT_EQ(S().timestep(std::exp(l500 + 0.3 * (l501 - l500))), 500);
    EXPECT_EQ(S().timestep(std::exp(l500 + 0.7 * (l501 - l500))), 501);
    EXPECT_EQ(S().timestep(1000.0), 999);
}

TEST(SigmaSchedule, SigmaInterpolatesLogSigmaAndClamps) {
    const double l10 = std::log(S().sigma_at_index(10)), l11 = std::log(S().sigma_at_index(11));
    EXPECT_NEAR(S().sigma(10.25), std::exp(0.75 * l10 + 0.25 * l11), 1e-6);
    EXPECT_NEAR(S().sigma(-5), S().sigma_min(), 1e-7);
    EXPECT_NEAR(S().sigma(2000), S().sigma_max(), 1e-5);
}

TEST(SigmaSchedule, PercentToSigma) {
    EXPECT_DOUBLE_EQ(S().percent_to_sigma(0.0), 999999999.9);
    EXPECT_DOUBLE_EQ(S().percent_to_sigma(1.0), 0.0);
    EXPECT_NEAR(S().percent_to_sigma(0.5), S().sigma(499.5), 1e-6);
}

TEST(Schedulers, NormalTwentySteps) {
    expect_table(sdn::scheduler_sigmas("normal", S(), 20),
                 {14.614640, 10.746802, 8.081519, 6.204934, 4.855652, 3.865379, 3.123762,
                  2.557166, 2.115658, 1.764823, 1.480581, 1.245813, 1.048142, 0.878428, 0.729719,
                  0.596434, 0.473585, 0.355545, 0.232164, 0.029167, 0});
}

TEST(Schedulers, KarrasTwentySteps) {
    expect_table(sdn::scheduler_sigmas("karras", S(), 20),
                 {14.614641, 11.725365, 9.340203, 7.383617, 5.789412, 4.499835, 3.464747,
                  2.640840, 1.990915, 1.483211, 1.090786, 0.790946, 0.564721, 0.396390, 0.273038,
                  0.184168, 0.121341, 0.077860, 0.048481, 0.029167, 0});
}

TEST(Schedulers, SimpleTenSteps) {
    expect_table(sdn::scheduler_sigmas("simple", S(), 10),
                 {14.614641, 8.302803, 5.087763, 3.321083, 2.276463, 1.612886, 1.160578,
                  0.829860, 0.569285, 0.341674, 0});
}

TEST(Schedulers, DdimUniformTenSteps) {
    expect_table(sdn::scheduler_sigmas("ddim_uniform", S(), 10),
                 {8.390685, 5.134431, 3.347764, 2.292854, 1.623692, 1.168216, 0.835653,
                  0.574050, 0.346187, 0.041314, 0});
    EXPECT_NEAR(sdn::scheduler_sigmas("ddim_uniform", S(), 10)[0], S().sigma_at_index(901), 1e-7);
}

TEST(Schedulers, DdimUniformThirtyStepsGivesThirtyTwoSigmas) {
    // 1000 // 30 = 33: indices 1, 34, ..., 991 (31 values) plus the leading 0.
    auto s = sdn::scheduler_sigmas("ddim_uniform", S(), 30);
    ASSERT_EQ(s.size(), 32u);
    EXPECT_NEAR(s[0], S().sigma_at_index(991), 1e-7);
    EXPECT_NEAR(s[30], S().sigma_at_index(1), 1e-7);
    EXPECT_EQ(s[31], 0.0);
}

TEST(Schedulers, ExponentialTenSteps) {
    expect_table(sdn::scheduler_sigmas("exponential", S(), 10),
                 {14.614641, 7.324870, 3.671231, 1.840024, 0.922222, 0.462218, 0.231664,
                  0.116110, 0.058195, 0.029167, 0});
}

TEST(Schedulers, SgmUniformDropsTheLastLinspacePoint) {
    auto s = sdn::scheduler_sigmas("sgm_uniform", S(), 4);
    // t = linspace(999, 0, 5)[:-1] = 999, 749.25, 499.5, 249.75
    const double ts[4] = {999, 749.25, 499.5, 249.75};
    ASSERT_EQ(s.size(), 5u);
    for (int i = 0; i < 4; ++i) {
        const int lo = static_cast<int>(std::floor(ts[i]));
        const double w = ts[i] - lo;
        const double ref = std::exp((1 - w) * std::log(S().sigma_at_index(lo)) +
                                    w * std::log(S().sigma_at_index(std::min(999, lo + 1))));
        EXPECT_NEAR(s[i], ref, 1e-5 * ref);
    }
    EXPECT_EQ(s[4], 0.0);
}

TEST(Schedulers, KlOptimalIsTanOfLinearAtan) {
    auto s = sdn::scheduler_sigmas("kl_optimal", S(), 5);
    ASSERT_EQ(s.size(), 6u);
    const double amin = std::atan(0.0291672), amax = std::atan(14.614641);
    for (int i = 0; i < 5; ++i) {
        const double a = i / 4.0;
        EXPECT_NEAR(s[i], std::tan(a * amin + (1 - a) * amax), 2e-5);
    }
}

TEST(Schedulers, LinearQuadraticByHand) {
    // 4 steps: linear_steps 2 -> [0, 0.0125]; diff = 2 - 0.1 = 1.9; q = 2;
    // quad_coef = 1.9/8, lin_coef = 0.0125 - 3.8/4, const = quad_coef*4.
    const double qc = 1.9 / 8, lc = 0.0125 - 0.95, c = qc * 4;
    const double raw[5] = {0, 0.0125, qc * 4 + lc * 2 + c, qc * 9 + lc * 3 + c, 1.0};
    auto s = sdn::scheduler_sigmas("linear_quadratic", S(), 4);
    ASSERT_EQ(s.size(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_NEAR(s[i], (1 - raw[i]) * 14.614641, 1e-5);
    expect_table(sdn::scheduler_sigmas("linear_quadratic", S(), 1), {14.614641, 0.0});
}

// An independent incomplete beta for the test: the hypergeometric power series
// B(x; a, b) = x^a * sum_n (1-b)_n x^n / (n! (a+n)), with the symmetry for x > 1/2.
double series_beta_cdf(double x, double a, double b) {
    auto partial = [](double x, double a, double b) {
        double term = 1.0, sum = 0.0;
        for (int n = 0; n < 20000; ++n) {
            sum += term / (a + n);
            term *= (n + 1 - b) * x / (n + 1);
            if (std::fabs(term) < 1e-18) break;
        }
        return std::pow(x, a) * sum;
    };
    const double full = std::exp(std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b));
    if (x <= 0.5) return partial(x, a, b) / full;
    return 1.0 - partial(1.0 - x, b, a) / full;
}

TEST(BetaDistribution, CdfAgreesWithSeriesAndClosedForms) {
    for (double x : {0.001, 0.1, 0.3, 0.5, 0.77, 0.95, 0.999}) {
        EXPECT_NEAR(sdn::regularized_incomplete_beta(x, 0.6, 0.6), series_beta_cdf(x, 0.6, 0.6), 1e-10);
        // a = b = 1/2: the arcsine law, (2/pi) asin(sqrt(x)).
        EXPECT_NEAR(sdn::regularized_incomplete_beta(x, 0.5, 0.5),
                    2.0 / M_PI * std::asin(std::sqrt(x)), 1e-10);
        EXPECT_NEAR(sdn::regularized_incomplete_beta(x, 2.0, 1.0), x * x, 1e-12);
    }
}

TEST(BetaDistribution, PpfInvertsCdf) {
    for (double q : {0.0, 0.05, 0.25, 0.5, 0.9, 1.0}) {
        const double x = sdn::beta_ppf(q, 0.5, 0.5);
        EXPECT_NEAR(x, std::pow(std::sin(M_PI * q / 2), 2), 1e-10);
    }
    EXPECT_NEAR(sdn::beta_ppf(0.5, 0.6, 0.6), 0.5, 1e-12);
}

TEST(Schedulers, BetaMatchesIndependentPpfAndDropsDuplicates) {
    for (int steps : {5, 20, 200, 900}) {
        SCOPED_TRACE("steps " + std::to_string(steps));
        // Reference: bisection on the series CDF, rint, skip consecutive duplicates.
        std::vector<double> want;
        double last = -1;
        for (int i = 0; i < steps; ++i) {
            const double q = 1.0 - static_cast<double>(i) / steps;
            double lo = 0, hi = 1;
            for (int k = 0; k < 60; ++k) {
                const double mid = 0.5 * (lo + hi);
                (series_beta_cdf(mid, 0.6, 0.6) < q ? lo : hi) = mid;
            }
            const double x = q == 0.5 ? 0.5 : 0.5 * (lo + hi);  // the median, by symmetry
            const double t = std::nearbyint(x * 999);
            if (t != last) want.push_back(S().sigma_at_index(static_cast<int>(t)));
            last = t;
        }
        want.push_back(0.0);
        expect_table(sdn::scheduler_sigmas("beta", S(), steps), want);
        if (steps == 900) EXPECT_LT(want.size(), 901u);  // beta may give fewer sigmas
    }
    EXPECT_NEAR(sdn::scheduler_sigmas("beta", S(), 5)[0], S().sigma_max(), 1e-6);
}

TEST(Schedulers, UnknownNameListsSupported) {
    try {
        sdn::scheduler_sigmas("fancy", S(), 10);
        FAIL() << "expected an error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(e.what()).find("fancy"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("kl_optimal"), std::string::npos);
    }
}

TEST(Schedulers, NamesInComfyOrder) {
    const std::vector<std::string> want = {"simple", "sgm_uniform", "karras", "exponential",
                                           "ddim_uniform", "beta", "normal", "linear_quadratic",
                                           "kl_optimal"};
    EXPECT_EQ(sdn::scheduler_names(), want);
}

}  // namespace
