"""kuntagraph: Finnish municipalities' information-management descriptions as linked data.

The data's path through the package: rdffiles (read) -> validate (SHACL) -> store -> queries -> server.
"""

__version__ = "0.1.0"
