-- CreateTable
CREATE TABLE "Order" ("id" SERIAL NOT NULL, "userId" INTEGER NOT NULL, CONSTRAINT "Order_pkey" PRIMARY KEY ("id"));
