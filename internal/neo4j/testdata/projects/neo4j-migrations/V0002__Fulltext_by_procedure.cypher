CALL db.index.fulltext.createNodeIndex('search', ['Movie', 'Book'], ['title', 'plot'], {analyzer: 'english'});
