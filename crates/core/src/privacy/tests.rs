use super::checkpoint::hex_decode;
use super::*;

#[test]
fn html_escaping_covers_markup_and_quotes() {
    assert_eq!(
        crate::report::render::escape_html("<script>alert('x') & \"y\"</script>"),
        "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
    );
}

#[test]
fn hex_round_trips_and_refuses_garbage() {
    let bytes = [0u8, 1, 0xab, 0xff];
    assert_eq!(hex_encode(&bytes), "0001abff");
    assert_eq!(hex_decode::<4>("0001ABff", "x").unwrap(), bytes);
    assert_eq!(hex_decode::<4>("0001abf", "x").unwrap_err().code(), "checkpoint_malformed");
    assert_eq!(hex_decode::<4>("0001abzz", "x").unwrap_err().code(), "checkpoint_malformed");
}
