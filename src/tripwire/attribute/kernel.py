"""The compiled batch-posterior kernel (numba, parallel over incidents, cached on disk).

Imported only when :meth:`~tripwire.attribute.vectorised.Codebook.posterior`
runs on numba: importing numba alone costs a few tenths of a second. The
compiled machine code is kept in numba's on-disk cache (:func:`tripwire.jit.jit`),
so only the first process after an install or an upgrade compiles it.
The numpy path in :mod:`.vectorised` computes the same numbers and is the
reference the tests compare against.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ..jit import jit


@jit(parallel=True, fastmath=False)
def _posterior(kind, actor, sponsor, relation, source, hedge, relays, weapon, log_prior, claim_mask, deny_mask, sponsor_mask, perp_valid,
               claim_pt, claim_pf, imp_s, imp_r, actor_state, rel, lab_a, lab_s, routine, base_d, hedge_f, denial, dispute, weapon_llr,
               eps, match, supported, out):
    n, k = kind.shape
    nh = log_prior.size
    t = 1.0 - eps + eps * match
    e = eps * match
    for i in prange(n):
        acc = log_prior.copy()
        for j in range(k):
            kc = kind[i, j]
            if kc < 0:
                continue
            a, s, r, m, nr = actor[i, j], sponsor[i, j], relation[i, j], source[i, j], relays[i, j]
            report = kc == 1 or kc == 2
            d = hedge_f[hedge[i, j]] * base_d[m, a, 1 if (report or kc == 0) else 0]
            rr = rel[m]
            if perp_valid[a] or kc == 3:
                dd = d
                if kc == 0:
                    p0, p1 = claim_pf[a], claim_pt[a]
                elif report:
                    lam = lab_a[m, a]
                    p1, p0 = lam + (1 - lam) * rr, lam + (1 - lam) * (1 - rr)
                elif kc == 3:
                    ro = 1 if routine[m, a] else 0
                    p1, p0 = denial[ro, 0], denial[ro, 1]
                else:
                    p1, p0 = dispute[0], dispute[1]
                    dd = d * max(0.0, 2 * rr - 1)
                p1 = p0 + dd * (p1 - p0)
                delta = np.log(p1 * t**nr + (1 - p1) * e**nr) - np.log(p0 * t**nr + (1 - p0) * e**nr)
                for h in range(nh):
                    mk = deny_mask[a, h] if kc == 3 else claim_mask[a, h]
                    acc[h] += delta * mk
            s_eff = s if s >= 0 else imp_s[a]
            if report and s_eff >= 0 and actor_state[a] != s_eff:
                r_eff = r if r >= 0 else (imp_r[a] if (s < 0 and imp_r[a] >= 0) else supported)
                lam2 = lab_s[m, s_eff]
                q1, q0 = lam2 + (1 - lam2) * rr, lam2 + (1 - lam2) * (1 - rr)
                q1 = q0 + d * (q1 - q0)
                delta = np.log(q1 * t**nr + (1 - q1) * e**nr) - np.log(q0 * t**nr + (1 - q0) * e**nr)
                for h in range(nh):
                    acc[h] += delta * sponsor_mask[s_eff, r_eff, h]
            elif kc == 4 and not perp_valid[a] and s >= 0:
                r_d = r if r >= 0 else supported
                q0, q1 = dispute[1], dispute[0]
                q1 = q0 + d * max(0.0, 2 * rr - 1) * (q1 - q0)
                delta = np.log(q1 * t**nr + (1 - q1) * e**nr) - np.log(q0 * t**nr + (1 - q0) * e**nr)
                for h in range(nh):
                    acc[h] += delta * sponsor_mask[s, r_d, h]
        if weapon[i] >= 0:
            for h in range(nh):
                acc[h] += weapon_llr[weapon[i], h]
        mx = acc.max()
        tot = 0.0
        for h in range(nh):
            acc[h] = np.exp(acc[h] - mx)
            tot += acc[h]
        for h in range(nh):
            out[i, h] = acc[h] / tot
