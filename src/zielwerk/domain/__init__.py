"""The domain core: pure, dependency-free definitions.

Nothing in this package performs I/O, imports a database driver, a web framework or any other
package of the project. Every legal quantity is defined once here (or in ``law.py``) and cites its
source; everything else refers to it.
"""
