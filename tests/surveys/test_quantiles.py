"""The t and F quantiles of the survey intervals come from scipy.stats, imported only when an
interval is computed: never by the plugin manager or a score run (60 MB of scipy)."""

import subprocess
import sys

import numpy as np
from scipy import stats

from kamscore.surveys.quantiles import f_ppf, t_ppf


def test_quantiles_are_scipys():
    q = np.array([0.025, 0.5, 0.975])
    assert (t_ppf(q, 7) == stats.t.ppf(q, 7)).all()
    assert (f_ppf(q, 3, np.array([5, 9, 30])) == stats.f.ppf(q, 3, np.array([5, 9, 30]))).all()


def test_the_plugin_manager_and_the_statistics_modules_do_not_load_scipy_stats():
    code = (
        "import sys\n"
        "from kamscore.plugin_host.manager import build_plugin_manager\n"
        "import kamscore.surveys.reliability, kamscore.surveys.krippendorff\n"
        "import kamscore.surveys.group_statistics, kamscore.scoring.runs\n"
        "build_plugin_manager(entry_points=False)\n"
        "assert 'scipy.stats' not in sys.modules, 'scipy.stats was imported'\n"
        "from kamscore.surveys.quantiles import t_ppf\n"
        "t_ppf(0.975, 10)\n"
        "assert 'scipy.stats' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
