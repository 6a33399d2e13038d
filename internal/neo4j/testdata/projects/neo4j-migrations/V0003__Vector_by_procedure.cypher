CALL db.index.vector.createNodeIndex('embeddings', 'Doc', 'embedding', 1536, 'euclidean');
