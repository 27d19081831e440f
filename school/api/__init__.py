"""The school app's API: who am I, tokens and teachers (``accounts``), and what every endpoint
of the project shares: one error shape (``errors``), pages (``pagination``), id filters that
never tell whether an object exists (``filters``) and the error answers in the schema
(``schema``).

Nothing is imported here: DRF reads the pagination and filter classes the settings name while
it defines its generic views, so this package must not import a view when it is imported.
"""
