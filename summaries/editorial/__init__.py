"""Editorial work: who may do what (``rules``), the writes that change content and move
versions through the workflow (``services``), copying a version's content (``copying``),
and comparing two versions (``diff``). See README.md."""
