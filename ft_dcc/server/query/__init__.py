"""ftrack's query language: lark grammar (``grammar.lark``), parser, SQL compiler, reply shaping."""
