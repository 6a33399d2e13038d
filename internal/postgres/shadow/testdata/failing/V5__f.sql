CREATE TABLE f (id int);
