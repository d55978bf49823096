"""``POST /api/v1/whatif``: a draft ruleset on a period's inputs, compared with the published
one — nothing is stored. Needs ``whatif.use`` (the comp team and auditors).

The period's inputs are cached in the process, so trying one change after another only
reruns the engine; ``refresh: true`` reloads them.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from kamscore.api.resources import resource_blueprint
from kamscore.api.schemas.whatif import WhatIfResultSchema, WhatIfSchema
from kamscore.auth.access import requires
from kamscore.db.session import get_session
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring.inputs_cache import app_inputs_cache
from kamscore.scoring.whatif import what_if

blp = resource_blueprint("whatif", "whatif", "What-if: simulate a draft ruleset")


@blp.route("")
class WhatIf(MethodView):
    @requires("whatif.use")
    @blp.arguments(WhatIfSchema)
    @blp.response(200, WhatIfResultSchema)
    @blp.refusals(401, 403, 404)
    def post(self, data: dict[str, Any]) -> Any:
        """Total cost, change per KAM, payout percentiles (p10..p90), the KAMs rising and
        falling most — of the draft against the published version."""
        return what_if(
            get_session(), get_plugin_manager(), app_inputs_cache(current_app),
            period=data["period"], draft_source=data["draft_source"],
            draft_ref=data["draft_version"], weights=data["weights"],
            baseline_ref=data["baseline"], top=data["top"], include_all=data["include_all"],
            refresh=data["refresh"], variant_weights=data["variant_weights"],
            values=data["values"])
