"""Positions of flagged nodes agree with libcst's own ``PositionProvider``."""

from __future__ import annotations

import random
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from authlint.checker import node_positions

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Syntax whose positions libcst takes from children, or that spans lines.
TRICKY = '''\
@app.get("/a")\r
@login_required
async def view(request, *, key: str = "x") -> dict:
    """Doc\r
    string."""
    if (a and
            b):  # comment
        raise HTTPException(status_code=403, detail=f"no {key!r}")
    x = [y for y in z if y] ; w = lambda q: q ** 2
    with open(p) as f, other() as g:
        pass
    try:
        del x
    except (A, B) as error:
        return {"k": v, **rest}, 401, {"WWW-Authenticate": "Bearer"}
    finally:
        yield from gen()
\x0c
class C(Base, metaclass=M):
    attr: int = 1
'''


def every_node(module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            found.append(node)
            return True

    module.visit(Collect())
    return found


@pytest.mark.parametrize(
    "source",
    [TRICKY, *(p.read_text() for p in sorted(FIXTURES.rglob("*.py"))[:6])],
    ids=["tricky", *(p.name for p in sorted(FIXTURES.rglob("*.py"))[:6])],
)
def test_positions_match_the_position_provider(source: str) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = every_node(module)
    # Asked one at a time (only that subtree is recorded) and all at once.
    for node in random.Random(0).sample(nodes, min(40, len(nodes))):
        assert node_positions(module, {node})[node] == expected[node], node
    everything = node_positions(module, set(nodes))
    assert all(everything[node] == expected[node] for node in nodes)
