"""Build the Cython kernels.  Metadata is in pyproject.toml.

Compiler flags: -O3, OpenMP when the compiler supports it, and
-march=native unless NUMPREC_PORTABLE=1 is set (numprec is built from
source on the machine that runs it; set NUMPREC_PORTABLE=1 to build a
binary for other machines).
"""
import os
import sys
import tempfile

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def _compiler_accepts(compiler, flag):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as fh:
            fh.write("int main(void) { return 0; }\n")
        try:
            compiler.compile([src], output_dir=tmp, extra_postargs=[flag])
        except Exception:
            return False
    return True


class BuildExt(build_ext):
    """Add the optional flags the compiler accepts."""

    def build_extensions(self):
        # The rounding loops only vectorise once round_bits is inlined into
        # them; gcc's default inlining budget is too small for it.
        wanted = ["-O3", "-fopenmp", "--param=max-inline-insns-single=2000",
                  "--param=large-function-growth=2000"]
        if os.environ.get("NUMPREC_PORTABLE", "0") != "1":
            wanted.append("-march=native")
        accepted = [f for f in wanted if sys.platform != "win32" and _compiler_accepts(self.compiler, f)]
        for ext in self.extensions:
            ext.extra_compile_args = list(ext.extra_compile_args) + accepted
            if "-fopenmp" in accepted:
                ext.extra_link_args = list(ext.extra_link_args) + ["-fopenmp"]
        super().build_extensions()


def _kernel(name):
    return Extension(f"numprec._kernels.{name}", [f"numprec/_kernels/{name}.pyx"])


KERNELS = ["floatround", "fused"]
if os.path.exists("numprec/_kernels/reduce.pyx"):
    KERNELS.append("reduce")
if os.path.exists("numprec/_kernels/matmul.pyx"):
    KERNELS.append("matmul")

setup(
    ext_modules=cythonize([_kernel(k) for k in KERNELS], language_level=3,
                          compiler_directives={"embedsignature": True}),
    cmdclass={"build_ext": BuildExt},
)
