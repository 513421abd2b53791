"""The solver: implicit derivatives against finite differences, failures that say what to try."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tradewar.errors import NotConverged
from tradewar.models import caliendo_parro as cp
from tradewar.solver.equilibrium import solve
from tradewar.solver.newton import newton_root


def welfare_of(baseline):
    p0 = cp.params(baseline)

    def welfare(tariffs):
        p = p0._replace(tariff_new=tariffs)
        res = newton_root(cp.residual, cp.initial_guess(p), p)
        return cp.outcomes(res.value, p)["welfare_hat"]

    return welfare


def test_implicit_gradient_matches_finite_differences(small_economy):
    b = small_economy
    welfare = jax.jit(welfare_of(b))
    tariffs = jnp.asarray(b.tariffs)
    grad = jax.jit(jax.grad(lambda t: welfare(t)[0]))(tariffs)
    jac_fwd = jax.jit(jax.jacfwd(lambda t: welfare(t)[0]))(tariffs)
    rng = np.random.default_rng(0)
    direction = jnp.asarray(rng.normal(size=b.tariffs.shape) * b.tradable * ~np.eye(4, dtype=bool)[:, :, None])
    h = 1e-5
    fd = (welfare(tariffs + h * direction)[0] - welfare(tariffs - h * direction)[0]) / (2 * h)
    # central differences on a solve converged to 1e-10: error ~ h^2 + 1e-10 / h = 1e-5 relative
    assert float(jnp.vdot(grad, direction)) == pytest.approx(float(fd), rel=1e-5, abs=1e-9)
    np.testing.assert_allclose(grad, jac_fwd, rtol=1e-8, atol=1e-12)  # reverse = forward mode


def test_non_convergence_raises_with_advice(cp2015):
    tariffs = cp2015.tariffs + 3.0 * cp2015.tradable  # +300 points everywhere
    with pytest.raises(NotConverged, match=r"did not converge.*Try"):
        solve("caliendo-parro", cp2015, tariffs, max_iter=1)
    eq = solve("caliendo-parro", cp2015, tariffs, max_iter=1, check=False)
    assert eq.converged is False and eq.max_residual > 1e-10


def test_large_shock_converges(cp2015):
    tariffs = np.where(cp2015.tradable, cp2015.tariffs + 1.45, 0.0)  # a 145-point tariff war on everyone
    eq = solve("caliendo-parro", cp2015, tariffs)
    assert eq.converged and eq.max_residual < 1e-10


def test_export_limit_is_the_export_tax_that_achieves_it(cp2015):
    n, i, j = cp2015.region_index("USA"), cp2015.region_index("CHN"), cp2015.sector_index("basic_metals")
    limits = np.full(cp2015.trade.shape, np.nan)
    limits[n, i, j] = 0.5
    eq = solve("caliendo-parro", cp2015, cp2015.tariffs, export_limits=limits)
    out = eq.outcomes
    tax = out["export_tax_new"][n, i, j]
    quantity_hat = out["trade_new"][n, i, j] / (1 + tax) / out["trade_old"][n, i, j] / out["cost_hat"][i, j]
    assert tax > 0 and quantity_hat == pytest.approx(0.5, abs=1e-9)
    taxes = np.zeros(cp2015.trade.shape)
    taxes[n, i, j] = tax
    same = solve("caliendo-parro", cp2015, cp2015.tariffs, export_taxes=taxes)
    np.testing.assert_allclose(same.outcomes["wage_hat"], out["wage_hat"], rtol=1e-9)
    # a limit that does not bind leaves the economy where it was (no tax)
    limits[n, i, j] = 0.0
    slack = solve("caliendo-parro", cp2015, cp2015.tariffs, export_limits=limits)
    assert abs(slack.outcomes["export_tax_new"][n, i, j]) < 1e-6
