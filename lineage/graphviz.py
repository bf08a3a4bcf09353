"""The one door to Graphviz (pygraphviz); import this module only where Graphviz must run now.

Why it is kept apart: the pygraphviz wheel bundles its own copies of libxcb and libxcb-shm. Once
they are loaded, Qt's xcb platform plugin (on a real X11 display) starts its MIT-SHM set-up on
the wrong copy and the explorer dies in ``QXcbBasicConnection`` with a segmentation fault (or
glibc's "tpp.c" assertion); ``QT_XCB_NO_MITSHM`` does not avoid it. So the explorer's process
never loads pygraphviz: its layouts and DOT exports run in the layout worker process
(``lineage_gui.workers``), and every module that draws with Graphviz imports this one inside the
function that needs it, never at its top. ``tests/guarantees/test_graphviz_isolation.py`` and the X11 suite
(``tests/x11``) fail if pygraphviz reaches the explorer's process again.
"""

from __future__ import annotations

import pygraphviz

AGraph = pygraphviz.AGraph
