"""How the tracker frame names its columns beyond the field keys of fields.csv.

A leaf, so that the rule set (which targets fields and materials alike) and the frame itself both
read the same name without one depending on the other.
"""

MATERIAL_PREFIX = "material:"
"""Frame columns `material:<名称>` hold a material checklist column."""
