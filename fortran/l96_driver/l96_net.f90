! The Fortran side of the bridge to the compiled network: interfaces to three C functions
! (l96_net.cpp), declared with iso_c_binding so that gfortran passes arguments as C expects.
module l96_net
  use, intrinsic :: iso_c_binding, only: c_ptr, c_char, c_int, c_double
  implicit none
  private
  public :: l96_net_load, l96_net_run, l96_net_free

  interface
    ! Load an AOTInductor package; a null pointer and a message if it fails.
    function l96_net_load(package_path, message, message_length) bind(c, name="l96_net_load")
      import :: c_ptr, c_char, c_int
      character(kind=c_char), dimension(*), intent(in) :: package_path  ! null-terminated
      character(kind=c_char), dimension(*), intent(out) :: message
      integer(c_int), value :: message_length
      type(c_ptr) :: l96_net_load
    end function l96_net_load

    ! u = network(x); returns 0 on success.
    function l96_net_run(net, x, u, num_slow) bind(c, name="l96_net_run")
      import :: c_ptr, c_int, c_double
      type(c_ptr), value :: net
      real(c_double), dimension(*), intent(in) :: x
      real(c_double), dimension(*), intent(out) :: u
      integer(c_int), value :: num_slow
      integer(c_int) :: l96_net_run
    end function l96_net_run

    subroutine l96_net_free(net) bind(c, name="l96_net_free")
      import :: c_ptr
      type(c_ptr), value :: net
    end subroutine l96_net_free
  end interface
end module l96_net
