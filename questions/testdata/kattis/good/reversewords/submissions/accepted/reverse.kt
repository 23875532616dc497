fun main() = println(readLine()!!.split(" ").reversed().joinToString(" "))
