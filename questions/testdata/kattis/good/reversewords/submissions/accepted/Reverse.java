import java.util.*;

public class Reverse {
    public static void main(String[] args) {
        List<String> words = new ArrayList<>(Arrays.asList(new Scanner(System.in).nextLine().trim().split(" ")));
        Collections.reverse(words);
        System.out.println(String.join(" ", words));
    }
}
