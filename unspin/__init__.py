"""unspin: see through machine-spun text.

Data flows one way: text -> tokens -> suspects -> candidates -> scored edits -> report.
"""
__version__ = "0.1.0"
