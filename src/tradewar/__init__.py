"""tradewar: what trade wars and trade talks do to the world economy, in general equilibrium."""

import jax

jax.config.update("jax_enable_x64", True)

__version__ = "0.1.0"
