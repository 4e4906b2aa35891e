"""Domain logic of the core: postings, applications, contact changes, challenges."""
