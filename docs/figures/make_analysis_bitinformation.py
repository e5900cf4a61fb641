import numpy as np, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from numprec.analysis import bitinformation
rng = np.random.default_rng(1)
x = np.linspace(0, 1, 200_000)
field = 2.5 + np.sin(2 * np.pi * x) + 2.0**-16 * rng.standard_normal(x.size)
fig, axes = plt.subplots(2, 1, figsize=(8, 5.5))
bitinformation(field).plot(ax=axes[0])
axes[0].set_title("smooth field + noise of 2**-16 (float64)")
bitinformation((rng.random(200_000) + 1).astype(np.float32)).plot(ax=axes[1])
axes[1].set_title("white noise in [1, 2) (float32)")
fig.tight_layout(); fig.savefig("docs/figures/analysis_bitinformation.png", dpi=90)
