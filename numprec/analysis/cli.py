"""``python -m numprec analyse``: the analysis tools on the command line.

Subcommands:

``search CASE``
    :func:`numprec.analysis.precision_search`: prints the table, writes the
    policy found (``policy.json``) and the table into ``--output``.
``bits FILE VAR --dim DIM``
    :func:`numprec.analysis.bitinformation` of a NetCDF (or zarr) variable:
    information per bit, keepbits at 99 % and 99.9 %, optional ``--plot``.
``logbook CASE``
    :class:`numprec.analysis.Logbook`: number statistics of one run of a
    case per component and operation, the components whose results fall
    below a target format's normal range, the scaling that centres each
    output variable in it, and an optional histogram plot.
``mca CASE --precision T``
    Monte Carlo arithmetic (:func:`numprec.analysis.mca_run`) on one member
    of a case: significant bits of every output variable (smallest, median)
    by :func:`numprec.analysis.significant_bits`.
"""
from __future__ import annotations

import json
import sys

__all__ = ["add_parser", "run"]


def _param(text):
    if "=" not in text:
        raise ValueError(f"--param must be NAME=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def _params(items):
    return dict(_param(t) for t in items or ())


def add_parser(sub):
    """Add the ``analyse`` subcommand (and its subcommands) to ``sub``."""
    p = sub.add_parser("analyse", aliases=["analyze"],
                       help="which precision does a model need: precision search, bit "
                            "information, Monte Carlo arithmetic")
    tools = p.add_subparsers(dest="tool", required=True)

    s = tools.add_parser("search", help="fewest mantissa bits per component that keep the "
                                        "case's climate (resumable with --output)")
    s.add_argument("case", help="registered case name (python -m numprec cases)")
    s.add_argument("--components", help="comma-separated components (default: all)")
    s.add_argument("--bits", default="2:23", help="candidate mantissa bits, '2:23' or "
                                                  "'4,7,10' (default 2:23)")
    s.add_argument("--exponent-bits", type=int, default=8,
                   help="exponent bits of every candidate format (default 8)")
    s.add_argument("--rounding", default="nearest_even,stochastic",
                   help="rounding schemes tried in order (default nearest_even,stochastic)")
    s.add_argument("--rule", default="indistinguishable",
                   choices=["indistinguishable", "minor", "significant-bits"])
    s.add_argument("--tolerance", type=float, help="tolerance of 'minor' (variables' units)")
    s.add_argument("--min-bits", type=float,
                   help="significant bits required by --rule significant-bits")
    s.add_argument("--members", type=int, default=4, help="members of every ensemble")
    s.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="case parameter (repeatable), e.g. --param time=20")
    s.add_argument("--variables", help="comma-separated variables judged (default: all)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--executor", default="serial", choices=["serial", "process", "dask"])
    s.add_argument("--workers", type=int)
    s.add_argument("--output", help="directory of the resumable study and its results")
    s.add_argument("--quiet", action="store_true", help="no line per check on stderr")
    s.add_argument("--plot", metavar="PNG", help="write the margin of every check against "
                                                 "the bits")

    b = tools.add_parser("bits", help="real information per bit of a NetCDF variable "
                                      "(Klöwer et al. 2021)")
    b.add_argument("file", help="NetCDF or zarr file")
    b.add_argument("variable")
    b.add_argument("--dim", required=True, help="dimension along which neighbours pair")
    b.add_argument("--dtype", default=None, choices=["float16", "float32", "float64"],
                   help="cast the values first (default: as stored)")
    b.add_argument("--plot", metavar="PNG", help="write a bar chart of the information")

    m = tools.add_parser("mca", help="significant bits of a case's output by Monte Carlo "
                                     "arithmetic (Parker 1997; Sohier et al. 2021)")
    m.add_argument("case")
    m.add_argument("--precision", type=int, required=True,
                   help="virtual precision: significand bits including the implicit one")
    m.add_argument("--samples", type=int, default=16)
    m.add_argument("--param", action="append", metavar="NAME=VALUE")
    m.add_argument("--seed", type=int, default=0)

    g = tools.add_parser("logbook", help="number statistics of a case run per component and "
                                         "operation (Sherlogs.jl) and the scaling advisor")
    g.add_argument("case")
    g.add_argument("--format", default="binary64",
                   help="compute format of the logged run (default binary64)")
    g.add_argument("--rounding", default="nearest_even")
    g.add_argument("--target", default="binary16",
                   help="format whose range the advisor centres the variables in")
    g.add_argument("--members", type=int, default=1)
    g.add_argument("--param", action="append", metavar="NAME=VALUE")
    g.add_argument("--run", action="append", metavar="NAME=VALUE",
                   help="run option of the case (repeatable), e.g. --run days=2")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--plot", metavar="PNG", help="write the exponent histograms")
    g.add_argument("--cost", action="store_true",
                   help="also time the run in plain numpy and under the policy without the "
                        "logbook (CPU time), and check that the results are bit-identical")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    """Run ``python -m numprec analyse ...``; returns the exit status."""
    try:
        return {"search": _search, "bits": _bits, "mca": _mca,
                "logbook": _logbook}[args.tool](args)
    except (ValueError, TypeError, LookupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _search(args):
    from numprec.analysis.search import SignificantBitsRule, precision_search

    if args.rule == "significant-bits":
        if args.min_bits is None:
            raise ValueError("--rule significant-bits needs --min-bits")
        rule, tolerance = SignificantBitsRule(args.min_bits), None
    else:
        if args.min_bits is not None:
            raise ValueError("--min-bits needs --rule significant-bits")
        rule, tolerance = args.rule, args.tolerance
    result = precision_search(
        args.case, _params(args.param),
        components=None if args.components is None else args.components.split(","),
        bits=args.bits, exponent_bits=args.exponent_bits,
        roundings=[r for r in args.rounding.split(",") if r], rule=rule, tolerance=tolerance,
        members=args.members, seed=args.seed,
        variables=None if args.variables is None else args.variables.split(","),
        output=args.output, executor=args.executor, workers=args.workers,
        progress=not args.quiet)
    print(result.to_text())
    print("\npolicy (Policy.from_config):")
    print(json.dumps(result.config))
    if args.plot:
        result.plot(args.plot)
        print(f"\nwritten: {args.plot}")
    if args.output:
        print(f"\nwritten: {args.output}/search.nc, search.txt, policy.json, checks.json")
    return 0


def _bits(args):
    import numpy as np

    from numprec import io
    from numprec.analysis.bitinformation import bitinformation

    ds = io.open_dataset(args.file)
    if args.variable not in ds.data_vars:
        raise ValueError(f"{args.file} has no variable {args.variable!r} (it has: "
                         f"{', '.join(map(str, ds.data_vars))})")
    da = ds[args.variable]
    if args.dim not in da.dims:
        raise ValueError(f"variable {args.variable!r} has no dimension {args.dim!r} (its "
                         f"dims: {', '.join(map(str, da.dims))})")
    if args.dtype:
        da = da.astype(np.dtype(args.dtype))
    info = bitinformation(da, args.dim)
    e = info.exponent_bits
    print(f"bit information of {args.variable} along {args.dim} ({info.pairs} pairs, "
          f"{da.dtype}, significance threshold {info.threshold:.3g} bit)")
    names = ["sign"] + [f"e{i}" for i in range(1, e + 1)] + \
        [f"m{i}" for i in range(1, info.mantissa_bits + 1)]
    for name, value in zip(names, info.information):
        print(f"  {name:>4}  {value:.4f}")
    print(f"keepbits: {info.keepbits(0.99)} mantissa bits hold 99 % of the information, "
          f"{info.keepbits(0.999)} hold 99.9 %")
    if args.plot:
        ax = info.plot()
        ax.set_title(f"{args.variable} along {args.dim}")
        io.save_figure(ax.figure, args.plot)
        print(f"written: {args.plot}")
    return 0


def _mca(args):
    import numpy as np

    from numprec.analysis.mca import mca_run
    from numprec.analysis.significance import significant_bits
    from numprec.cases.ensemble import case_parameters, resolve_case

    case = resolve_case(args.case)
    params = case_parameters(case, _params(args.param))     # bad parameters: refused now
    samples = mca_run(lambda policy: case.run(params, policy, members=1, ic_seed=args.seed),
                      precision=args.precision, samples=args.samples, seed=args.seed)
    reference = case.run(params, None, members=1, ic_seed=args.seed)
    print(f"Monte Carlo arithmetic on {args.case}: {args.samples} samples at virtual precision "
          f"{args.precision} (stochastic rounding, 11 exponent bits); significant bits "
          f"against the double run (cnh, p=0.9, confidence 0.95)")
    print(f"  {'variable':<12} {'smallest':>8} {'median':>8}")
    for name in reference.data_vars:
        ref = reference[name].values
        sam = samples[name].values
        with np.errstate(divide="ignore", invalid="ignore"):
            bits = significant_bits(sam, ref, method="cnh")
        if np.all(np.isnan(bits)):
            continue
        print(f"  {name:<12} {np.nanmin(bits):8.1f} {np.nanmedian(bits):8.1f}")
    return 0


def _logbook(args):
    import time

    from numprec.analysis.logbook import Logbook, scaling_advice
    from numprec.cases.ensemble import case_parameters, resolve_case
    from numprec.emulate import Policy

    case = resolve_case(args.case)
    params = case_parameters(case, _params(args.param))
    policy = Policy(args.format, rounding=args.rounding, seed=args.seed)
    log = Logbook(policy, tuple(getattr(case, "components", ()) or ()))
    start = time.process_time()
    ds = case.run(params, log.policy, members=args.members, ic_seed=args.seed,
                  **_params(args.run))
    seconds = time.process_time() - start
    print(f"number statistics of {args.case} under {policy.name} ({seconds:.1f} s CPU)\n")
    if args.cost:
        import numpy as np

        def timed(pol):
            t0 = time.process_time()
            out = case.run(params, pol, members=args.members, ic_seed=args.seed,
                           **_params(args.run))
            return time.process_time() - t0, out

        t_numpy, _ = timed(None)
        t_emulated, plain = timed(Policy(args.format, rounding=args.rounding, seed=args.seed))
        same = all(np.array_equal(plain[v].values, ds[v].values, equal_nan=True)
                   for v in plain.data_vars)
        print(f"cost (CPU time): numpy {t_numpy:.2f} s, emulated {t_emulated:.2f} s, with the "
              f"logbook {seconds:.2f} s = {seconds / t_emulated:.1f}x the emulated run, "
              f"{seconds / t_numpy:.1f}x numpy; results bit-identical: {same}\n")
    print(log.to_text())
    ftz = log.underflow_advice(args.target)
    print(f"\nresults outside the normal range of {ftz.attrs['target']} (flush-to-zero "
          f"hardware flushes those below it):")
    print(f"  {'component':<22} {'results':>10} {'below':>10} {'above':>10}  flush-to-zero")
    for i, comp in enumerate(ftz["component"].values):
        print(f"  {comp:<22} {int(ftz['results'][i]):>10} {int(ftz['below_normal'][i]):>10} "
              f"{int(ftz['above_max'][i]):>10}  "
              f"{'safe' if bool(ftz['flush_to_zero_safe'][i]) else 'underflows'}")
    adv = scaling_advice(ds, args.target)
    print(f"\nscaling of each output variable that centres its range in {adv.attrs['target']} "
          f"(normal exponents {adv.attrs['target_exponents']}):")
    print(f"  {'variable':<12} {'log2 range':>12} {'scale':>7} {'fits':>5} "
          f"{'below normal':>13} {'after scaling':>14}")
    for i, name in enumerate(adv["variable"].values):
        print(f"  {name:<12} {int(adv['exponent_min'][i]):>5}..{int(adv['exponent_max'][i]):<5} "
              f"  2^{int(adv['scale_exponent'][i]):<4} {'yes' if bool(adv['fits'][i]) else 'no':>5} "
              f"{float(adv['subnormal_fraction'][i]):>13.1%} "
              f"{float(adv['scaled_subnormal_fraction'][i]):>14.1%}")
    if args.plot:
        log.plot(args.plot, target=args.target)
        print(f"\nwritten: {args.plot}")
    return 0
